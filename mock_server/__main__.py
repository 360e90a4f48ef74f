from mock_server.serve.cli import main

raise SystemExit(main())
