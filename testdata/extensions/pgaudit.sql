create extension if not exists pgaudit;
alter role postgres set pgaudit.log to 'ddl, write';
alter role authenticated set pgaudit.log to 'none';
alter database postgres set pgaudit.log_relation = on;
set pgaudit.log = 'none';
