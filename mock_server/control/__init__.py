"""Control surfaces: the admin API (``/__mock/``), the control page, ``/docs`` and the
journal's recording middleware."""
