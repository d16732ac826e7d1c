-- Public storage buckets with a broad SELECT policy on storage.objects: public buckets serve
-- files by URL without any policy, so such a policy only adds the ability to list (and so
-- discover) every file. Broad = for PUBLIC, anon or authenticated, not narrowed by owner or
-- by the caller's identity, and either naming the bucket or not filtering by bucket at all.
-- Runs only when storage.buckets exists and can be read.
-- $1 exposed schemas (unused), $2 managed schemas (unused).
-- Columns: object (storage.objects.policy), detail ("bucket 'a'" or "buckets 'a', 'b'").
select 'storage.objects.' || p.polname as object,
       case when count(*) = 1 then 'bucket ' else 'buckets ' end
           || string_agg(quote_literal(b.id), ', ' order by b.id) as detail
  from storage.buckets b
  join pg_policy p on p.polrelid = 'storage.objects'::regclass
 cross join lateral (select coalesce(pg_get_expr(p.polqual, p.polrelid), '') as text) qual
 where b.public
   and p.polpermissive
   and p.polcmd in ('r', '*')
   and (0 = any(p.polroles)
        or exists (select 1 from pg_roles r
                    where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')))
   -- The id as pg_get_expr writes a literal (quotes doubled, backslashes as they are;
   -- quote_literal would write E'…' for an id with a backslash).
   and (qual.text not like '%bucket_id%'
        or position('''' || replace(b.id, '''', '''''') || '''' in qual.text) > 0)
   and qual.text !~ '(auth\.(uid|jwt|email)\(|\mowner(_id)?\M|current_setting\()'
 group by p.polname
 order by 1
