#!/usr/bin/env python3
# Whether /dev/kvm runs a one-instruction real-mode guest (hlt at 0x1000) to its hlt exit within
# 3 s: what `mogu check`'s KVM line reports, decided here without mogu's code (node_check.bats
# compares the two). Exit 0 when the guest stops at its hlt; 1, with the reason on stderr, when
# /dev/kvm opens but the guest does not run; 2 when /dev/kvm does not open read-write.
import ctypes
import fcntl
import mmap
import os
import signal
import struct
import sys

KVMIO = 0xAE


def _io(nr):
    return (KVMIO << 8) | nr


def _iow(nr, size):
    return (1 << 30) | (size << 16) | (KVMIO << 8) | nr


def _ior(nr, size):
    return (2 << 30) | (size << 16) | (KVMIO << 8) | nr


KVM_GET_API_VERSION = _io(0x00)
KVM_CREATE_VM = _io(0x01)
KVM_GET_VCPU_MMAP_SIZE = _io(0x04)
KVM_CREATE_VCPU = _io(0x41)
KVM_SET_USER_MEMORY_REGION = _iow(0x46, 32)  # slot, flags, guest_phys_addr, memory_size, userspace_addr
KVM_RUN = _io(0x80)
KVM_SET_REGS = _iow(0x82, 144)  # x86 struct kvm_regs: 18 u64, rip the 17th, rflags the 18th
KVM_GET_SREGS = _ior(0x83, 312)  # x86 struct kvm_sregs: cs (base u64, limit u32, selector u16, ...) first
KVM_SET_SREGS = _iow(0x84, 312)
KVM_API_VERSION = 12
KVM_EXIT_HLT = 5


class Timeout(Exception):
    pass


def run_hlt_guest(kvm):
    if fcntl.ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION:
        raise RuntimeError("unknown KVM API version")
    vm = fcntl.ioctl(kvm, KVM_CREATE_VM, 0)
    mem = mmap.mmap(-1, 0x2000, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    mem[0x1000] = 0xF4  # hlt
    addr = ctypes.addressof(ctypes.c_char.from_buffer(mem))
    fcntl.ioctl(vm, KVM_SET_USER_MEMORY_REGION, struct.pack("=IIQQQ", 0, 0, 0, 0x2000, addr))
    vcpu = fcntl.ioctl(vm, KVM_CREATE_VCPU, 0)
    run_size = fcntl.ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)
    run = mmap.mmap(vcpu, run_size, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    sregs = bytearray(312)
    fcntl.ioctl(vcpu, KVM_GET_SREGS, sregs, True)
    struct.pack_into("=Q", sregs, 0, 0)  # cs.base
    struct.pack_into("=H", sregs, 12, 0)  # cs.selector
    fcntl.ioctl(vcpu, KVM_SET_SREGS, bytes(sregs))
    regs = bytearray(144)
    struct.pack_into("=QQ", regs, 16 * 8, 0x1000, 0x2)  # rip, rflags
    fcntl.ioctl(vcpu, KVM_SET_REGS, bytes(regs))

    def expire(signum, frame):
        raise Timeout()

    signal.signal(signal.SIGALRM, expire)
    signal.alarm(3)
    try:
        fcntl.ioctl(vcpu, KVM_RUN, 0)
    except Timeout:
        raise RuntimeError("KVM_RUN did not come back within 3 s")
    finally:
        signal.alarm(0)
    (exit_reason,) = struct.unpack_from("=I", run, 8)
    if exit_reason != KVM_EXIT_HLT:
        raise RuntimeError(f"the test guest stopped with exit reason {exit_reason}, not hlt")


def main():
    try:
        kvm = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        print(f"/dev/kvm: {e.strerror}", file=sys.stderr)
        return 2
    try:
        run_hlt_guest(kvm)
    except (OSError, RuntimeError) as e:
        print(f"the test guest does not run: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
