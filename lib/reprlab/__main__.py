from reprlab.cli import main

raise SystemExit(main())
