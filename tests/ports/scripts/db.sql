-- SQLite on kiln: a database file created, indexed, queried, rolled back and reopened.
CREATE TABLE city(id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT, population INTEGER, area REAL);
INSERT INTO city(name, country, population, area) VALUES
  ('Lisbon', 'PT', 545923, 100.05), ('Porto', 'PT', 231800, 41.42), ('Madrid', 'ES', 3223334, 604.3),
  ('Seville', 'ES', 684234, 140.8), ('Lyon', 'FR', 513275, 47.87), ('Paris', 'FR', 2165423, 105.4),
  ('Oslo', 'NO', 697010, 454.0), ('Bergen', 'NO', 285911, 465.3);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO city(name, country, population, area) SELECT 'town' || i, 'XX', i * 37 % 1000, i / 7.0 FROM n;
CREATE INDEX city_country ON city(country, population DESC);
CREATE UNIQUE INDEX city_name ON city(name);
.headers on
.mode column
SELECT country, count(*) AS n, sum(population) AS people, round(avg(area), 2) AS avg_area
  FROM city GROUP BY country ORDER BY people DESC;
.mode list
.headers off
SELECT name, population FROM city WHERE country = 'ES' ORDER BY population DESC;
EXPLAIN QUERY PLAN SELECT name FROM city WHERE country = 'FR' AND population > 600000;
SELECT printf('%.3f', 1.0 / 3), 7 / 2, 7 / 2.0, typeof(1e3), 1e308 * 10, -(-9223372036854775807 - 1) IS NULL;
SELECT upper(name), length(name), substr(name, 2, 3), replace(name, 'o', '0') FROM city WHERE id <= 3;
SELECT name FROM city WHERE name LIKE 'b%' OR name GLOB 'L*' ORDER BY name;
SELECT count(*), min(population), max(population), total(area) > 0 FROM city WHERE country = 'XX';
BEGIN;
DELETE FROM city WHERE country = 'XX';
UPDATE city SET population = 0 WHERE country = 'PT';
INSERT INTO city(name, country) VALUES ('Atlantis', 'XX');
SELECT count(*), sum(population) FROM city;
ROLLBACK;
SELECT count(*), sum(population) FROM city;
INSERT INTO city(name, country) VALUES ('Lisbon', 'PT');
SELECT 'after a constraint error', count(*) FROM city;
PRAGMA integrity_check;
PRAGMA page_count;
.open test.db
SELECT 'reopened', count(*), sum(population) FROM city;
SELECT name FROM city WHERE country = 'NO' ORDER BY name;
DROP INDEX city_country;
VACUUM;
PRAGMA integrity_check;
SELECT 'after vacuum', count(*) FROM city;
PRAGMA cache_size = 2;
BEGIN;
CREATE TABLE pad(x);
INSERT INTO pad VALUES (zeroblob(200000));
ROLLBACK;
PRAGMA page_count;
SELECT 'after a rollback that grew the file', count(*) FROM city;
