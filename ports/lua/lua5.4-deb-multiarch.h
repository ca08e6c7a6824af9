/* Debian's luaconf.h patch includes this header for DEB_HOST_MULTIARCH, which names the
 * multiarch library directory in package.cpath. kiln programs load no C modules; the name says so. */
#define DEB_HOST_MULTIARCH "riscv32-kiln"
