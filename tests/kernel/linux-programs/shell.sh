# dash, a static Linux shell, on the Linux-numbered kernel: what a shell script does every day,
# with builtins only (no utilities: under qemu-user a host command would run natively).
echo "start $0 $#"
x=0; for i in 1 2 3 4 5; do x=$((x + i * i)); done; echo "sum $x"
f() { local a="$1"; echo "f:$a:$#"; return 3; }
f one two || echo "f returned $?"
printf '%s|%5d|%x|%o\n' hello 42 255 8
cat_lines() { while IFS= read -r l; do echo "read: $l"; done; }
printf 'line1\nline2\nline3\n' > file.txt
cat_lines < file.txt
echo piped | { read v; echo "got $v"; }
read first_stdin_line; echo "stdin said: $first_stdin_line"
( echo sub; exit 7 ) || echo "subshell status $?"
( echo background; exit 5 ) & wait $!; echo "waited $?"
sh_pid=$$; ( kill -0 $sh_pid && echo "parent alive" )
cd /proc && echo "at $PWD" && cd - > /dev/null && [ -f shell.sh ] && echo "back where shell.sh is"
umask 027; umask; : > masked.txt
test -f file.txt && echo "file exists"
[ -d nope ] || echo "no dir"
out=$(echo $((7 * 6))); echo "cmdsub $out"
case "abc.txt" in *.txt) echo "case txt";; *) echo other;; esac
set -- a b c; shift; echo "args $* $#"
exec 3> fd3.txt; echo to-fd3 >&3; exec 3>&-
while read l; do echo "[$l]"; done < fd3.txt
read h <<HERE
here $x
HERE
echo "heredoc: $h"
echo "${HOME:-nohome} ${UNSET-default} ${#x}"
type echo
nosuchcmd 2>/dev/null || echo "not found status $?"
trap 'echo "got USR1"' USR1; kill -USR1 $$; echo "after signal"
i=0; while [ $i -lt 20 ]; do echo "n$i" >> many.txt; i=$((i + 1)); done
count=0; while read l; do count=$((count + 1)); done < many.txt; echo "lines $count"
echo "ulimit $(ulimit -n)" > /dev/null
trap 'echo "trapped EXIT"' EXIT
exit 3
