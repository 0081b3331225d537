"""Rendering and validating ASL templates (pure, no Pulumi)."""

import json

import pytest

from components import asl

TEMPLATE = {
    "StartAt": "Put",
    "States": {
        "Put": {
            "Type": "Task",
            "Resource": "${FunctionArn}",
            "Parameters": {"name.$": "$.name", "label": "table ${TableName} in ${Region}"},
            "Next": "Wait",
        },
        "Wait": {"Type": "Wait", "Seconds": "${WaitSeconds}", "End": True},
    },
}
VALUES = {
    "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
    "TableName": "t",
    "Region": "us-east-1",
    "WaitSeconds": 30,
}


def test_given_all_values_when_rendered_then_placeholders_are_replaced_and_jsonpath_kept():
    rendered = asl.render(TEMPLATE, VALUES)

    put = rendered["States"]["Put"]
    assert put["Resource"] == VALUES["FunctionArn"]
    assert put["Parameters"] == {"name.$": "$.name", "label": "table t in us-east-1"}


def test_given_a_whole_string_placeholder_when_rendered_then_the_value_keeps_its_type():
    assert asl.render(TEMPLATE, VALUES)["States"]["Wait"]["Seconds"] == 30


def test_given_a_missing_value_when_rendered_then_the_error_names_it():
    values = {k: v for k, v in VALUES.items() if k != "TableName"}
    with pytest.raises(asl.SubstitutionError, match="placeholders without a value: TableName"):
        asl.render(TEMPLATE, values)


def test_given_an_unused_value_when_rendered_then_the_error_names_it():
    with pytest.raises(asl.SubstitutionError, match="values without a placeholder: Extra"):
        asl.render(TEMPLATE, {**VALUES, "Extra": "x"})


def test_given_an_empty_value_when_rendered_then_it_is_an_error_not_a_blank_arn():
    with pytest.raises(asl.SubstitutionError, match="FunctionArn has an empty value"):
        asl.render(TEMPLATE, {**VALUES, "FunctionArn": ""})


def test_given_a_next_to_a_missing_state_when_validated_then_it_is_rejected():
    definition = asl.render(TEMPLATE, VALUES)
    definition["States"]["Put"]["Next"] = "Nowhere"

    with pytest.raises(asl.InvalidDefinitionError, match='No state found named "Nowhere"'):
        asl.validate(definition)


def test_given_a_valid_definition_when_rendered_and_validated_then_json_round_trips():
    text = asl.render_and_validate(TEMPLATE, VALUES)
    assert json.loads(text) == asl.render(TEMPLATE, VALUES)


def test_states_walks_into_parallel_branches_and_map_processors():
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}],
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
                "End": True,
            },
        },
    }
    assert [name for name, _ in asl.states(definition)] == ["P", "A", "M", "B"]


@pytest.mark.parametrize(
    "path", sorted(asl.DEFINITIONS_DIR.glob("*.asl.json")), ids=lambda p: p.name
)
def test_every_template_in_definitions_is_valid_asl_once_rendered(path):
    """Stand-in values of the right shape: ARNs for *Arn, numbers for *Seconds, names else."""
    template = asl.load_template(path.name)

    def stand_in(name: str) -> asl.Scalar:
        if name.endswith("Arn"):
            return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        if name.endswith("Seconds"):
            return 5
        return name

    asl.validate(asl.render(template, {n: stand_in(n) for n in asl.placeholders(template)}))


def test_given_unknown_arns_a_broken_template_is_still_rejected_before_deploy():
    # Given a template whose Next points nowhere, and no value known yet for its ARN
    broken = json.loads(json.dumps(TEMPLATE))
    broken["States"]["Wait"]["Next"] = "Nowhere"
    del broken["States"]["Wait"]["End"]

    with pytest.raises(asl.InvalidDefinitionError, match='No state found named "Nowhere"'):
        asl.validate_structure(broken, {"WaitSeconds": 30})


def test_given_unknown_arns_a_valid_template_passes_structural_validation():
    asl.validate_structure(TEMPLATE, {"TableName": "t", "Region": "r"})
