"""The objects of rendered manifests: every non-empty YAML document of each file, in the order they stand."""

import yaml


def load(paths):
    objects = []
    for path in paths:
        with open(path) as handle:
            objects += [o for o in yaml.safe_load_all(handle) if o]
    return objects
