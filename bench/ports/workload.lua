-- kiln bench: a Lua workload (interpreter, strings, tables, files through the layer).
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local t = {}
for i = 1, 3000 do t[i] = string.format("%05d:%s", (i * 7919) % 3001, ("x"):rep(i % 7)) end
table.sort(t)
local words = 0
for _ in table.concat(t, " "):gmatch("%d+") do words = words + 1 end
local f = assert(io.open("bench.txt", "w"))
for i = 1, 2000 do f:write(i, " ", i * i, "\n") end
f:close()
local sum = 0
for line in io.lines("bench.txt") do local a, b = line:match("(%d+) (%d+)") sum = sum + a + b end
os.remove("bench.txt")
print(fib(20), #t, words, sum, string.format("%.6f", math.sin(1) * 1000))
