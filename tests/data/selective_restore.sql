-- The fixture of the selective restore tests (restore --only): one schema holding every kind of
-- table a DBA asks for alone, and a second schema beside it.
CREATE DATABASE shop;
USE shop;
CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL) ENGINE=InnoDB;
CREATE TABLE orders (
  id INT PRIMARY KEY,
  customer_id INT NOT NULL,
  amount DECIMAL(10,2) NOT NULL,
  KEY by_customer (customer_id),
  CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB;
CREATE TABLE legacy (id INT PRIMARY KEY, note TEXT) ENGINE=MyISAM;
CREATE TABLE events_log (id INT NOT NULL, happened DATE NOT NULL, what VARCHAR(20),
  PRIMARY KEY (id, happened))
  ENGINE=InnoDB PARTITION BY RANGE (YEAR(happened)) (
    PARTITION p2024 VALUES LESS THAN (2025),
    PARTITION p2025 VALUES LESS THAN (2026),
    PARTITION pmax VALUES LESS THAN MAXVALUE);
CREATE TABLE audited (id INT PRIMARY KEY, value INT NOT NULL) ENGINE=InnoDB;
CREATE TABLE audit_log (id INT AUTO_INCREMENT PRIMARY KEY, audited_id INT, change_note VARCHAR(40))
  ENGINE=InnoDB;
CREATE TRIGGER audited_insert AFTER INSERT ON audited FOR EACH ROW
  INSERT INTO audit_log (audited_id, change_note) VALUES (NEW.id, 'inserted');
CREATE TRIGGER audited_update AFTER UPDATE ON audited FOR EACH ROW
  INSERT INTO audit_log (audited_id, change_note) VALUES (NEW.id, 'updated');
CREATE VIEW big_orders AS SELECT o.id, c.name, o.amount FROM orders o JOIN customers c
  ON c.id = o.customer_id WHERE o.amount > 100;
CREATE FUNCTION order_total(customer INT) RETURNS DECIMAL(12,2) READS SQL DATA
  RETURN (SELECT COALESCE(SUM(amount), 0) FROM orders WHERE customer_id = customer);

INSERT INTO customers SELECT seq, CONCAT('customer ', seq) FROM seq_1_to_200;
INSERT INTO orders SELECT seq, 1 + seq % 200, (seq * 37) % 500 + 0.25 FROM seq_1_to_3000;
INSERT INTO legacy SELECT seq, REPEAT(CHAR(65 + seq % 26), 1 + seq % 50) FROM seq_1_to_500;
INSERT INTO events_log SELECT seq, DATE('2024-01-01') + INTERVAL (seq % 900) DAY, 'event'
  FROM seq_1_to_2000;
INSERT INTO audited SELECT seq, seq * 3 FROM seq_1_to_300;
UPDATE audited SET value = value + 1 WHERE id <= 10;

CREATE DATABASE crm;
CREATE TABLE crm.contacts (id INT PRIMARY KEY, email VARCHAR(60)) ENGINE=InnoDB;
INSERT INTO crm.contacts SELECT seq, CONCAT('c', seq, '@example.com') FROM seq_1_to_100;
