create extension if not exists pg_repack;
do $$
begin
  assert repack.version() like 'pg_repack %';
end
$$;
