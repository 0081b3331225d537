"""Generated documentation matches the files it is generated from."""

from docs import generate


def test_state_machine_diagrams_and_readme_tables_are_up_to_date():
    # Given the committed docs, when regenerated, then nothing changes
    # (if this fails: python -m docs.generate)
    assert generate.main(["--check"]) == 0


def test_every_definition_has_a_diagram_with_every_state():
    text = generate.state_machines_markdown()
    for path in sorted(generate.asl.DEFINITIONS_DIR.glob("*.asl.json")):
        definition = generate.asl.load_template(path.name)
        assert f"## `{path.name}`" in text
        for name, _ in generate.asl.states(definition):
            assert (
                f'["{name}<br/>' in text or f'{{"{name}<br/>' in text or f'(["{name}<br/>' in text
            ), name
