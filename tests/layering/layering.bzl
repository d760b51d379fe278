"""layering_check: a genquery listing the dependencies of one package that its layering forbids."""

def allowed_closure(layers, package):
    """The folders `package` may depend on: its row in `layers`, and theirs, transitively."""
    seen = []
    todo = list(layers.get(package, []))
    for _ in range(len(layers) * len(layers) + 1):  # Starlark has no while loop
        if not todo:
            break
        p = todo.pop()
        if p in seen:
            continue
        seen.append(p)
        todo.extend(layers.get(p, []))
    return sorted(seen)

def layering_check(name, package, allowed, scope):
    """Lists what the non-test libraries and binaries of //PACKAGE depend on outside `allowed`.

    Args:
      name: the genquery's name; its output is empty when the package keeps its layering.
      package: the package, e.g. "simulator".
      allowed: the project packages it may depend on (besides itself, //third_party and external
        repositories), e.g. ["isa", "common"]; transitive dependencies count.
      scope: every target of //PACKAGE:all (genquery needs them in scope).
    """
    ok = "|".join([p.replace("/", "\\/") for p in [package, "third_party"] + allowed])
    native.genquery(
        name = name,
        expression = ("let d = deps(attr(testonly, 0, kind('cc_library|cc_binary', //{p}:all))) " +
                      "in filter('^//', $d) except filter('^//({ok}):', $d)").format(
            p = package,
            ok = ok,
        ),
        scope = scope,
        testonly = True,
    )
