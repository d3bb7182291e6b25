from reprlab.workbench import skip_unused_imports
from reprlab.workbench.cli import main

skip_unused_imports()
raise SystemExit(main())
