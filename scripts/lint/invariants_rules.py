"""What check_invariants' rules share: the problems they report and the count of rule groups run."""

ZONE = "topology.kubernetes.io/zone"
PROBLEMS = []
CHECKED = {"rules": 0}


def problem(rule, message):
    PROBLEMS.append(f"{rule}: {message}")


def rule(name):
    """Decorator that counts rules run."""

    def wrap(fn):
        def run(*args):
            CHECKED["rules"] += 1
            fn(*args)

        run.__name__ = name
        return run

    return wrap
