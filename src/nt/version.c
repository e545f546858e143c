/* version.c - NT build numbers to version numbers and release names, as one table; a build
 * between two known ones takes the version of the one below with no name, never a guess. */
#include "lalscan/nt.h"

static const struct build_row {
    uint32_t build, major, minor;
    const char *name;
} builds[] = {
    { 2195, 5, 0, "Windows 2000" },
    { 2600, 5, 1, "Windows XP" },
    { 3790, 5, 2, "Windows Server 2003 / XP x64" },
    { 6000, 6, 0, "Windows Vista" },
    { 6001, 6, 0, "Windows Vista SP1 / Server 2008" },
    { 6002, 6, 0, "Windows Vista SP2 / Server 2008 SP2" },
    { 7600, 6, 1, "Windows 7 / Server 2008 R2" },
    { 7601, 6, 1, "Windows 7 SP1 / Server 2008 R2 SP1" },
    { 9200, 6, 2, "Windows 8 / Server 2012" },
    { 9600, 6, 3, "Windows 8.1 / Server 2012 R2" },
    { 10240, 10, 0, "Windows 10 1507" },
    { 10586, 10, 0, "Windows 10 1511" },
    { 14393, 10, 0, "Windows 10 1607 / Server 2016" },
    { 15063, 10, 0, "Windows 10 1703" },
    { 16299, 10, 0, "Windows 10 1709" },
    { 17134, 10, 0, "Windows 10 1803" },
    { 17763, 10, 0, "Windows 10 1809 / Server 2019" },
    { 18362, 10, 0, "Windows 10 1903" },
    { 18363, 10, 0, "Windows 10 1909" },
    { 19041, 10, 0, "Windows 10 2004" },
    { 19042, 10, 0, "Windows 10 20H2" },
    { 19043, 10, 0, "Windows 10 21H1" },
    { 19044, 10, 0, "Windows 10 21H2" },
    { 19045, 10, 0, "Windows 10 22H2" },
    { 20348, 10, 0, "Windows Server 2022" },
    { 22000, 10, 0, "Windows 11 21H2" },
    { 22621, 10, 0, "Windows 11 22H2" },
    { 22631, 10, 0, "Windows 11 23H2" },
    { 26100, 10, 0, "Windows 11 24H2 / Server 2025" },
};

ls_os_version ls_os_version_of_build(uint32_t build)
{
    ls_os_version v = { 0, 0, build, NULL };
    for (size_t i = 0; i < sizeof builds / sizeof builds[0]; i++) {
        if (builds[i].build > build)
            break;
        v.major = builds[i].major;
        v.minor = builds[i].minor;
        v.name = builds[i].build == build ? builds[i].name : NULL;
    }
    return v;
}
