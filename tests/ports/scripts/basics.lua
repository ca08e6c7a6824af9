-- Lua on kiln: numbers, strings and patterns, tables, coroutines, errors, files.
print("hello from " .. _VERSION)

-- floats and integers
print(1/3, 2^53, 10/2, 3 // 2, 7 % 3, -7 // 2, 7.5 // 2, -0.0, math.pi)
print(1e300 * 1e10, -1e300 * 1e10, 2^-1022, 0.1 + 0.2, 100000000000000, 1e15, 2^63)
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger, 5 // 0.0, -5 // 0.0)
print(math.sqrt(2), math.sin(1), math.cos(0.5), math.exp(1), math.log(10), math.log(8, 2), math.fmod(7, 3))
print(math.floor(-3.5), math.ceil(-3.5), math.abs(-4), math.max(3, 9, 1), math.min(2.5, 1), math.ult(1, -1))
print(string.format("%5.2f|%-6d|%x|%X|%o|%g|%e|%a", 3.14159, 42, 255, 255, 8, 1e20, 12345.678, 1.0))
print(string.format("%q", "a\nb\0c\"d"), string.format("%10.3s|", "abcdef"), string.format("%c%c", 72, 105))
print(tonumber("0x10"), tonumber("1e2"), tonumber("  12  "), tonumber("z", 36), tonumber("10", 2), tonumber("1e"))
print(math.type(1), math.type(1.0), math.type("1"), math.tointeger(3.0), 3 | 5, 7 & ~2, 1 << 62, 5 ~ 3, -1 >> 60)
print(string.rep("ab", 3, "-"), ("x"):rep(0), #"héllo", utf8.char(72, 228, 8364), utf8.len("häh"))

-- string patterns
print(("hello world"):gsub("o", "0"))
print(("abc123def456"):match("%a+(%d+)"), ("key = value"):match("^(%w+)%s*=%s*(%w+)$"))
print(("k=v, a=b"):find("(%w+)=(%w+)"), ("a.b.c"):find(".", 1, true), ("[test]"):find("%[(.-)%]"))
for k, v in string.gmatch("a=1, b=22, c=333", "(%w+)=(%w+)") do io.write(k, ":", v, " ") end
print()
print(("  trim me  "):match("^%s*(.-)%s*$") .. "|", ("CamelCaseName"):gsub("(%u)", " %1"))
print(("%d items"):format(3), ("THE END"):lower(), ("x"):byte(), string.char(97, 98), ("abc"):reverse())
print(("hello"):gsub("l+", function(s) return "<" .. #s .. ">" end), ("$name is $age"):gsub("%$(%w+)", {name = "Ann", age = 7}))

-- tables
local t = {}
for i = 1, 20 do t[i] = (i * 7919) % 101 end
table.sort(t)
print(table.concat(t, ","))
table.sort(t, function(a, b) return a > b end)
print(t[1], t[#t], #t, select("#", table.unpack(t)))
table.insert(t, 1, "first") table.remove(t) print(t[1], #t, table.move({1, 2, 3}, 1, 3, 2)[3])
local m = setmetatable({}, {__index = function(_, k) return k * 2 end, __call = function(self, x) return x + 1 end})
print(m[21], m(41), rawget(m, 21), next({}))

-- coroutines
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * i) end return "done" end)
print(gen(), gen(), gen(), gen())
local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  local d, e = coroutine.yield(c * 2)
  return d + e
end)
print(coroutine.resume(co, 1, 2)) print(coroutine.resume(co, 10)) print(coroutine.resume(co, 3, 4))
print(coroutine.status(co), coroutine.resume(co), coroutine.isyieldable())

-- errors caught
print(pcall(error, "boom"))
local ok2, e2 = pcall(error, {code = 42})
print(ok2, type(e2), e2.code)
print(pcall(function() local x = nil; return x.y end))
print(pcall(function() return 1 + {} end))
print(select(2, xpcall(function() error("deep", 2) end, function(m) return "handled: " .. m end)))
print(pcall(string.rep), pcall(setmetatable, 1, {}))
local ok, err = pcall(function() error(setmetatable({}, {__tostring = function() return "custom" end})) end)
print(ok, tostring(err))
print(string.format("%d", 3.0), pcall(string.format, "%d", 3.5))

-- files written, read back, renamed and removed
local f = assert(io.open("data.txt", "w"))
f:write("line one\n", 42, "\n", 1.5, "\n", "last line without newline")
f:close()
assert(os.rename("data.txt", "renamed.txt"))
for l in io.lines("renamed.txt") do io.write("[", l, "]") end
print()
f = assert(io.open("renamed.txt", "r"))
print(f:read("l"), f:read("n"), f:read("n"), f:read("a"))
print(f:seek("set", 5), f:read(3), f:seek("cur"), f:seek("end"))
f:close()
f = assert(io.open("renamed.txt", "a")) f:write("\nappended") f:close()
f = assert(io.open("renamed.txt")) local all = f:read("a") f:close() print(#all, select(2, all:gsub("\n", "")))
print(io.open("does-not-exist.txt"))
print(os.rename("does-not-exist.txt", "x.txt"))
print(os.remove("renamed.txt"), os.remove("renamed.txt"))
print(io.type(f), io.type(io.stdout), io.type(42))
io.stdout:write("written with io.stdout:write\n")
print(os.time{year = 2020, month = 2, day = 29, hour = 12}, os.date("!%Y-%m-%d %H:%M:%S %j %A %B", 1234567890))
print(string.format("%.3f", 2/3), 7 // 2 * 2 + 7 % 2, "end")
