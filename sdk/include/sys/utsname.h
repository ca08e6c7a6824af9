/* uname on the uname slot (p4): struct utsname is the ABI's (kiln.h), like struct stat. */
#ifndef _SYS_UTSNAME_H
#define _SYS_UTSNAME_H
#include "kiln.h"
#ifdef KILN_SLOT_UNAME
#define utsname kiln_utsname
int uname(struct utsname *u);
#endif
#endif
