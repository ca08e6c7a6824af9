/* Directory reading on the getdents64 slot. `struct dirent` is kiln.h's struct kiln_dirent64. */
#ifndef _DIRENT_H
#define _DIRENT_H
#include "kiln.h"
#define dirent kiln_dirent64
typedef struct kiln_dir DIR;
DIR *opendir(const char *path);
struct dirent *readdir(DIR *d);
int closedir(DIR *d);
#endif
