from snorq_desktop.cli import main

raise SystemExit(main())
