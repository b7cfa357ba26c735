#include "runtime/linux/mount_options.h"

#include <criterion/criterion.h>
#include <linux/mount.h>
#include <sys/mount.h>

using namespace mogu::runtime;

Test(mount_options, splits_flags_propagation_and_data) {
    auto o = parse_mount_options({"nosuid", "rbind", "ro", "rslave", "mode=755", "size=64k"});
    cr_assert(o.flags & MS_NOSUID);
    cr_assert(o.flags & MS_BIND);
    cr_assert(o.flags & MS_REC);
    cr_assert(o.flags & MS_RDONLY);
    cr_assert_eq(o.propagation.size(), 1u);
    cr_assert_eq(o.propagation[0], static_cast<unsigned long>(MS_SLAVE | MS_REC));
    cr_assert_str_eq(o.data.c_str(), "mode=755,size=64k");
}

Test(mount_options, later_options_override_earlier_ones) {
    auto o = parse_mount_options({"ro", "rw"});
    cr_assert(!(o.flags & MS_RDONLY));
    cr_assert(o.cleared & MS_RDONLY);
}

Test(mount_options, recursive_attributes_go_to_mount_setattr) {
    auto o = parse_mount_options({"rro", "rnosuid"});
    cr_assert(o.attr_set & MOUNT_ATTR_RDONLY);
    cr_assert(o.attr_set & MOUNT_ATTR_NOSUID);
    cr_assert_eq(o.flags, 0ul);
}

Test(mount_options, tmpcopyup_is_runcs_own_and_never_reaches_the_kernel) {
    auto o = parse_mount_options({"tmpcopyup", "size=1m", "nosuid"});
    cr_assert(o.tmpcopyup);
    cr_assert_eq(o.data, "size=1m");
    cr_assert(!parse_mount_options({"size=1m"}).tmpcopyup);
}
