/* The object the matrix program loads with dlopen (p2+): it has its own stub section, so the
 * layer maps its stub table there too, and it calls the kernel only through it. Its entry is its
 * one function: obj_entry(x) writes a line and returns getpid() + x. Position dependent, linked at
 * 0x20000000 (matrix/obj.ld), so it must not use gp or any libc state. */
#include "kiln.h"

__attribute__((section(".text._start"), used)) int obj_entry(int x) {
  static const char msg[] = "  (hello from the dlopen'd object)\n";
  kiln_write(1, (void *)msg, sizeof msg - 1);
  return kiln_getpid() + x;
}
