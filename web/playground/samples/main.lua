-- Edit this script and press Run: it is written to /main.lua in the guest and run as `lua /main.lua`.
print("floats:", 7 / 2, math.sqrt(2), 2 ^ 0.5 == math.sqrt(2), string.format("%.3f", math.pi), 1e300 * 1e10)

-- string patterns
for key, value in ("name=kiln, cores=2, ring=yes"):gmatch("(%w+)=(%w+)") do print(key, value) end
print((("the layer stands between"):gsub("%f[%w]%w", string.upper)))

-- a coroutine: a generator of squares
local squares = coroutine.wrap(function()
  for i = 1, 5 do coroutine.yield(i * i) end
end)
print("squares:", squares(), squares(), squares(), squares(), squares())

-- a file written, then read back (the guest's file system is in memory)
local f = assert(io.open("note.txt", "w"))
f:write("line one\n", "line two\n")
f:close()
local n = 0
for line in io.lines("note.txt") do
  n = n + 1
  print(n, line)
end
os.remove("note.txt")
print("bye from " .. _VERSION)
