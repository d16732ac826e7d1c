create table public.todos (id bigint primary key, title text, owner uuid);
alter table public.todos enable row level security;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'own todos') THEN
    CREATE POLICY "own todos" ON public.todos FOR SELECT TO authenticated
      USING ((select auth.uid()) = owner);
  END IF;
END $$;
