from reprlab.workbench.cli import main

raise SystemExit(main())
