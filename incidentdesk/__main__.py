from incidentdesk.cli import main

raise SystemExit(main())
