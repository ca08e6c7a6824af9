/* File-system calls on the in-memory VFS. Prints one line per check. */
#include "ksys.h"

int main(int argc, char **argv, char **envp) {
  (void)argc; (void)argv; (void)envp;
  char buf[256];
  say("mkdir", k_mkdir("/d", 0755));
  say("mkdir-again", k_mkdir("/d", 0755));
  int fd = k_open("/d/f.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  say("open", fd);
  say("write", k_write(fd, "hello file", 10));
  long long pos = -1;
  say("llseek", k_llseek(fd, 6, &pos, 0));
  say("pos", (int)pos);
  int n = k_read(fd, buf, sizeof buf);
  say("read", n);
  k_write(1, buf, n); kiln_puts("\n");
  unsigned char st[256];
  say("statx", k_statx(fd, "", 0x1000, 0x7ff, st));
  say("size", *(int *)(st + 40));
  say("mode", *(unsigned short *)(st + 28));
  say("dup3", k_dup3(fd, 9, 0));
  say("close", k_close(fd));
  say("close-again", k_close(fd));
  say("pread-dup", k_llseek(9, 0, &pos, 0));
  n = k_read(9, buf, 5);
  k_write(1, buf, n); kiln_puts("\n");
  say("append-open", fd = k_open("/d/f.txt", O_WRONLY | O_APPEND, 0));
  k_write(fd, "!", 1);
  say("rename", k_rename("/d/f.txt", "/d/g.txt", 0));
  say("open-old", k_open("/d/f.txt", O_RDONLY, 0));
  say("chdir", k_chdir("/d"));
  say("getcwd", k_getcwd(buf, sizeof buf));
  kiln_puts(buf); kiln_puts("\n");
  int g = k_open("g.txt", O_RDONLY, 0);
  n = k_read(g, buf, sizeof buf);
  k_write(1, buf, n); kiln_puts("\n");
  k_mkdir("sub", 0755);
  int d = k_open(".", O_RDONLY | O_DIRECTORY, 0);
  n = k_getdents(d, buf, sizeof buf);
  for (int off = 0; off < n;) {
    unsigned short reclen = *(unsigned short *)(buf + off + 16);
    kiln_puts(buf + off + 19);
    kiln_puts(" ");
    off += reclen;
  }
  kiln_puts("\n");
  say("getdents-end", k_getdents(d, buf, sizeof buf));
  say("rmdir-nonempty", k_unlink("/d", 0x200));
  say("unlink", k_unlink("g.txt", 0));
  say("rmdir", k_unlink("sub", 0x200));
  say("escape", k_chdir("../../.."));
  say("getcwd2", k_getcwd(buf, sizeof buf));
  kiln_puts(buf); kiln_puts("\n");
  say("efault", k_open((const char *)16, O_RDONLY, 0));
  say("ebadf", k_write(77, "x", 1));
  return 0;
}
