"""What runs a request through the stages: routing, the pipeline (handler), the
protocol-level error answers, and the application's parts (``MockParts``) under one
typed key."""
