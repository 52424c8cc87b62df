from snorq_desktop.boot.cli import main

raise SystemExit(main())
