-- A schema exercising what a logical dump must carry exactly (tests/integration/
-- mysql_logical_test.cpp). Loaded with the stock `mariadb` client into schema `rt`.
SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';
CREATE DATABASE rt CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE rt;

CREATE TABLE numbers (
  id INT PRIMARY KEY AUTO_INCREMENT,
  ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT, bi BIGINT, bu BIGINT UNSIGNED,
  de DECIMAL(65,30), d2 DECIMAL(10,2),
  fl FLOAT, db DOUBLE, yr YEAR, bt BIT(1), b64 BIT(64)
) ENGINE=InnoDB;
INSERT INTO numbers VALUES
  (0, -128, 255, -32768, -8388608, -9223372036854775808, 18446744073709551615,
   '12345678901234567890123456789012345.123456789012345678901234567890', -0.01,
   3.4028235e38, 1.7976931348623157e308, 1901, b'1', b'1010101010101010101010101010101010101010101010101010101010101010'),
  (NULL, 127, 0, 32767, 8388607, 9223372036854775807, 0, 0, 0,
   1.17549435e-38, 2.2250738585072014e-308, 2155, b'0', 0),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0.1, 0.1, NULL, NULL, NULL),
  (NULL, 1, 1, 1, 1, 1, 1, -1.5, 99999999.99, -1.2345678e-7, 0.30000000000000004, 2000, NULL, 1);
ALTER TABLE numbers AUTO_INCREMENT = 1000;

CREATE TABLE strings (
  id BIGINT UNSIGNED PRIMARY KEY,
  c CHAR(10), vc VARCHAR(255), tx TEXT, lt LONGTEXT,
  bn BINARY(4), vb VARBINARY(64), bl BLOB,
  l1 VARCHAR(50) CHARACTER SET latin1, u8 VARCHAR(50) CHARACTER SET utf8mb3,
  js JSON,
  en ENUM('ä','ö','plain') CHARACTER SET latin1,
  st SET('α','β','γ') CHARACTER SET utf8mb4,
  st1 SET('é','è') CHARACTER SET latin1
) ENGINE=InnoDB;
INSERT INTO strings VALUES
  (1, 'a', 'quote '' and "double" and \\ backslash', 'line1\nline2\r\n\ttab', REPEAT('x', 100000),
   x'00010203', x'00', x'0d0a1a005c27', 'café ß', 'naïve', '{"a": [1, 2.5, "x"], "b": null}',
   'ä', 'α,γ', 'é,è'),
  (2, '', '', '', '', x'00000000', '', '', '', '', '[]', 'plain', '', ''),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 'emoji', '😀 🐬 中文 русский', CONCAT('ctrl', CHAR(0), CHAR(26), 'end'), 'semi;colon\n;',
   x'FFFEFDFC', x'DEADBEEF', UNHEX(REPEAT('00FF', 1000)), 'Ünïcödé', '€', '"str"', 'ö', 'β', 'è');

-- Data files carry values as stored (SET NAMES binary): every character set must come back
-- byte for byte, including sjis, whose second byte may be a backslash (0x5C in 'ソ' = 83 5C),
-- multi-byte-minimum utf16, and latin1 bytes that are quotes or backslashes.
CREATE TABLE charsets (
  id INT PRIMARY KEY,
  sj VARCHAR(20) CHARACTER SET sjis, u16 VARCHAR(20) CHARACTER SET utf16,
  cy VARCHAR(20) CHARACTER SET cp1251, l1 TEXT CHARACTER SET latin1,
  gb VARCHAR(20) CHARACTER SET gbk
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
INSERT INTO charsets VALUES
  (1, 'ソ表能', 'a😀ü', 'Привет', 'it''s a \\ back\\slash; é', '中文字'),
  (2, '', '', '', '', ''),
  (3, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE temporal (
  id INT PRIMARY KEY,
  d DATE, dt DATETIME, dt6 DATETIME(6), ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, t TIME, t6 TIME(6)
) ENGINE=InnoDB;
INSERT INTO temporal VALUES
  (1, '0000-00-00', '0000-00-00 00:00:00', '2024-02-29 23:59:59.999999', '2038-01-19 03:14:07',
   '1970-01-01 00:00:01.001', '-838:59:59', '12:34:56.789012'),
  (2, '1000-01-01', '9999-12-31 23:59:59', NULL, NULL, NULL, '838:59:59', '00:00:00'),
  (3, '2024-00-00', '2024-01-00 10:00:00', '2000-01-01 00:00:00.5', '2001-09-09 01:46:40',
   '2020-03-29 02:30:00.250', '00:00:01', NULL);

CREATE TABLE geo (
  id INT PRIMARY KEY,
  p POINT, g GEOMETRY, poly POLYGON NOT NULL, SPATIAL INDEX (poly)
) ENGINE=InnoDB;
INSERT INTO geo VALUES
  (1, ST_GeomFromText('POINT(1.5 -2.25)'), ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0)'),
   ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))')),
  (2, NULL, ST_GeomFromText('POINT(0.1 0.2)', 4326),
   ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))'));

CREATE TABLE generated (
  id INT PRIMARY KEY,
  a INT, b INT,
  v INT AS (a + b) VIRTUAL,
  s VARCHAR(20) AS (CONCAT(a, '-', b)) STORED,
  secret VARCHAR(10) INVISIBLE DEFAULT 'hidden',
  INDEX (s)
) ENGINE=InnoDB;
INSERT INTO generated (id, a, b, secret) VALUES (1, 1, 2, 'shh'), (2, NULL, 5, NULL), (3, 7, 8, DEFAULT);

CREATE TABLE `we``ird "name"` (
  `col``umn` INT PRIMARY KEY,
  `ünïcödé 列` VARCHAR(20),
  `select` INT
) ENGINE=InnoDB;
INSERT INTO `we``ird "name"` VALUES (1, 'ok', 2), (2, 'два', NULL);
CREATE TABLE `表/slash.dot` (id INT PRIMARY KEY, v INT);
INSERT INTO `表/slash.dot` VALUES (1, 1);

CREATE TABLE parent (id INT PRIMARY KEY, name VARCHAR(20)) ENGINE=InnoDB;
CREATE TABLE child (
  id INT PRIMARY KEY AUTO_INCREMENT, parent_id INT NOT NULL, note VARCHAR(20),
  CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE
) ENGINE=InnoDB AUTO_INCREMENT=50;
INSERT INTO parent VALUES (1, 'one'), (2, 'two');
-- child rows sort before parent, and the loader loads in any order: FK checks must be off.
INSERT INTO child (parent_id, note) VALUES (1, 'a'), (2, 'b'), (2, 'c');

CREATE TABLE parts (
  id INT NOT NULL, created DATE NOT NULL, v VARCHAR(20),
  PRIMARY KEY (id, created)
) ENGINE=InnoDB
PARTITION BY RANGE (YEAR(created)) (
  PARTITION p2020 VALUES LESS THAN (2021),
  PARTITION p2021 VALUES LESS THAN (2022),
  PARTITION pmax VALUES LESS THAN MAXVALUE);
INSERT INTO parts VALUES (1, '2020-05-01', 'a'), (2, '2021-05-01', 'b'), (3, '2030-01-01', 'c');

CREATE TABLE no_key (a INT, b VARCHAR(10)) ENGINE=InnoDB;
INSERT INTO no_key VALUES (1, 'dup'), (1, 'dup'), (NULL, NULL);

CREATE TABLE zero_auto (id INT PRIMARY KEY AUTO_INCREMENT, v INT) ENGINE=InnoDB;
SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO';
INSERT INTO zero_auto VALUES (0, 0), (5, 5);
SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';

CREATE TABLE legacy (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=MyISAM;
INSERT INTO legacy VALUES (1, 'myisam');
CREATE TABLE legacy_aria (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=Aria;
INSERT INTO legacy_aria VALUES (1, 'aria');

-- Large enough for several chunks at the test's chunk_size.
CREATE TABLE big (id BIGINT PRIMARY KEY, k INT NOT NULL, pad CHAR(60), INDEX (k)) ENGINE=InnoDB;
INSERT INTO big SELECT seq * 3, seq % 1000, REPEAT(CHAR(65 + seq % 26), 60) FROM seq_1_to_30000;

-- Chunked by a single-column UNIQUE NOT NULL integer key instead of a primary key: a table
-- without one (InnoDB clusters on the unique key, which the loader keeps), and a table whose
-- primary key has two columns.
CREATE TABLE by_unique (u BIGINT NOT NULL, k INT NOT NULL, pad CHAR(60), UNIQUE KEY (u), KEY (k))
  ENGINE=InnoDB;
INSERT INTO by_unique SELECT seq * 7, seq % 100, REPEAT(CHAR(97 + seq % 26), 60) FROM seq_1_to_30000;
CREATE TABLE composite_pk (a INT NOT NULL, b INT NOT NULL, n INT NOT NULL, pad CHAR(60),
  PRIMARY KEY (a, b), UNIQUE KEY (n)) ENGINE=InnoDB;
INSERT INTO composite_pk SELECT seq % 10, seq, 100000 - seq, REPEAT('z', 60) FROM seq_1_to_30000;

-- Secondary indexes the loader defers to one ALTER TABLE after the data (unique, composite,
-- prefix, with options), beside a non-leading AUTO_INCREMENT column that must keep its key.
CREATE TABLE indexed (
  id INT NOT NULL, seq INT NOT NULL AUTO_INCREMENT, a INT, b VARCHAR(40), c INT NOT NULL,
  PRIMARY KEY (id), KEY k_seq (seq), UNIQUE KEY u_b (b), KEY k_ac (a, c),
  KEY k_bprefix (b(10)) COMMENT 'prefix', KEY k_c (c) USING BTREE
) ENGINE=InnoDB;
INSERT INTO indexed (id, a, b, c) SELECT seq, seq % 7, CONCAT('v', seq), seq % 3 FROM seq_1_to_500;

CREATE VIEW v_base AS SELECT id, name FROM parent;
CREATE VIEW a_view_on_view AS SELECT id, UPPER(name) AS shout FROM v_base;
CREATE SQL SECURITY INVOKER VIEW v_join AS
  SELECT c.id, p.name FROM child c JOIN parent p ON p.id = c.parent_id;

DELIMITER ;;
CREATE FUNCTION add_one(x INT) RETURNS INT DETERMINISTIC RETURN x + 1;;
CREATE PROCEDURE count_children(OUT n INT)
BEGIN
  -- a comment; with a semicolon
  SELECT COUNT(*) INTO n FROM child;
END;;
CREATE TRIGGER child_note BEFORE INSERT ON child FOR EACH ROW
BEGIN
  IF NEW.note IS NULL THEN SET NEW.note = 'trigger;set'; END IF;
END;;
DELIMITER ;
CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE
  DO DELETE FROM no_key WHERE a IS NULL;
ANALYZE TABLE big;
