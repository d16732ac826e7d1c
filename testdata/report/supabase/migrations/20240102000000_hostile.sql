-- </script><script>alert(1)</script> ``` **bold** [x](javascript:alert(1)) @everyone | # %0A
create policy "</script><script>alert(1)</script>" on public.profiles for update
  using ((auth.jwt() -> 'user_metadata' ->> 'x') = '<img src=x onerror=alert(1)>');
