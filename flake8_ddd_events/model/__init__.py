"""The project model: modules by name, their dependencies, class views across modules."""
