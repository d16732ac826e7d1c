-- pg_cron: job scheduling. Emulated: jobs are recorded in cron.job and never run.
do $schema$
begin
  if not exists (select from pg_namespace where nspname = 'cron') then
    create schema cron;
  end if;
end
$schema$;
create table cron.job (
  jobid bigserial primary key,
  schedule text not null,
  command text not null,
  nodename text not null default 'localhost',
  nodeport integer not null default 5432,
  database text not null default current_database(),
  username text not null default current_user,
  active boolean not null default true,
  jobname text
);
create unique index jobname_username_uniq on cron.job (jobname, username);
create table cron.job_run_details (
  jobid bigint,
  runid bigserial primary key,
  job_pid integer,
  database text,
  username text,
  command text,
  status text,
  return_message text,
  start_time timestamptz,
  end_time timestamptz
);
create function cron.schedule(schedule text, command text) returns bigint language sql as $$
  insert into cron.job (schedule, command) values (schedule, command) returning jobid
$$;
create function cron.schedule(job_name text, schedule text, command text) returns bigint language plpgsql as $$
declare
  id bigint;
begin
  update cron.job set schedule = $2, command = $3
   where jobname = job_name and username = current_user returning jobid into id;
  if id is null then
    insert into cron.job (schedule, command, jobname) values ($2, $3, job_name) returning jobid into id;
  end if;
  return id;
end
$$;
create function cron.schedule_in_database(job_name text, schedule text, command text, database text, username text default null, active boolean default true)
returns bigint language plpgsql as $$
declare
  id bigint;
begin
  id := cron.schedule(job_name, schedule, command);
  update cron.job set database = $4, username = coalesce($5, current_user), active = $6 where jobid = id;
  return id;
end
$$;
create function cron.unschedule(job_id bigint) returns boolean language plpgsql as $$
begin
  delete from cron.job where jobid = job_id;
  if not found then
    raise exception 'could not find valid entry for job %', job_id;
  end if;
  return true;
end
$$;
create function cron.unschedule(job_name text) returns boolean language plpgsql as $$
begin
  delete from cron.job where jobname = job_name and username = current_user;
  if not found then
    raise exception 'could not find valid entry for job ''%''', job_name;
  end if;
  return true;
end
$$;
create function cron.alter_job(job_id bigint, schedule text default null, command text default null, database text default null, username text default null, active boolean default null)
returns void language sql as $$
  update cron.job set schedule = coalesce($2, cron.job.schedule), command = coalesce($3, cron.job.command),
    database = coalesce($4, cron.job.database), username = coalesce($5, cron.job.username),
    active = coalesce($6, cron.job.active)
  where jobid = job_id
$$;
