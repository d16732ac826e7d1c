drop index public.users_tmp_idx;
