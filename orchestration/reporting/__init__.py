"""Reports and exports: parameterised templates over the marts, files with checksums, schedules, charts."""
