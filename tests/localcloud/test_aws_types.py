"""One table of supported resource types serves the recording mocks and the provisioner alike."""

import pytest
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from localcloud.aws_types import (
    RESOURCE_TYPES,
    Placement,
    UnsupportedInvokeError,
    UnsupportedResourceError,
)
from localcloud.layers import ManagedLayers
from localcloud.provisioner import MotoProvisioner
from localcloud.recording import AwsShapedMocks

PLACEMENT = Placement("us-east-1", "123456789012", api_base_url="http://127.0.0.1:1")
BOTH_MOCKS = [
    pytest.param(lambda: AwsShapedMocks("us-east-1"), id="recording mocks"),
    pytest.param(
        lambda: MotoProvisioner(PLACEMENT, ManagedLayers("123456789012")), id="provisioner"
    ),
]


def test_every_type_of_the_table_names_a_provisioner_method_that_creates_it():
    for resource_type in RESOURCE_TYPES.values():
        assert callable(getattr(MotoProvisioner, resource_type.created_by, None)), resource_type


@pytest.mark.parametrize("make_mocks", BOTH_MOCKS)
def test_a_type_not_in_the_table_fails_by_name(make_mocks):
    args = MockResourceArgs("aws:s3/bucket:Bucket", "uploads", {}, "", "", custom=True)

    with pytest.raises(
        UnsupportedResourceError, match=r"aws:s3/bucket:Bucket \(resource 'uploads'\)"
    ):
        make_mocks().new_resource(args)


@pytest.mark.parametrize("make_mocks", BOTH_MOCKS)
def test_an_invoke_not_in_the_table_fails_instead_of_answering_nothing(make_mocks):
    with pytest.raises(UnsupportedInvokeError, match="aws:ec2/getVpc:getVpc"):
        make_mocks().call(MockCallArgs("aws:ec2/getVpc:getVpc", {}, ""))


def test_http_apis_answer_on_execute_api_in_aws_and_at_the_base_url_in_localcloud():
    api = RESOURCE_TYPES["aws:apigatewayv2/api:Api"]
    in_aws = Placement("eu-west-1", "123456789012")

    _, outputs = api.shape(in_aws, "api", {}, made_up_id="a1b2c3")
    _, served = api.shape(PLACEMENT, "api", {}, made_up_id="a1b2c3")

    assert outputs["apiEndpoint"] == "https://a1b2c3.execute-api.eu-west-1.amazonaws.com"
    assert served["apiEndpoint"] == "http://127.0.0.1:1/a1b2c3"
    assert outputs["executionArn"] == "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3"


def test_a_type_whose_id_aws_makes_up_needs_that_id():
    with pytest.raises(ValueError, match="makes up the id"):
        RESOURCE_TYPES["aws:apigatewayv2/route:Route"].shape(PLACEMENT, "r", {}, made_up_id=None)
