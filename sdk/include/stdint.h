/* Fixed-width integers: GCC's own definitions (works hosted or freestanding, with -nostdinc). */
#ifndef _KILN_STDINT_H
#define _KILN_STDINT_H
#include <stdint-gcc.h>
#endif
