// Copying a directory's contents into another one, keeping what a container's files carry:
// for runc's "tmpcopyup" mount option, which fills a new tmpfs with what the image had there.
#pragma once

namespace mogu::runtime {

// Copies everything below `src_dir` into `dst_dir` (both fds readable directories): regular
// files, directories, symlinks, device nodes and fifos, with owner, mode (set-id bits included),
// times and extended attributes; hard links stay links. Sockets are skipped. Throws SysError
// naming the entry.
void copy_directory_contents(int src_dir, int dst_dir);

}  // namespace mogu::runtime
