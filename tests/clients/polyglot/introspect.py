"""The polyglot round trip's Python step (tests/clients): introspects argv[1] as
TOKEND_CLIENT_ID and prints the answer as JSON."""
import dataclasses
import json
import os
import sys

from tokend_client import TokenClient

with TokenClient(os.environ["TOKEND_GRPC_ADDR"], os.environ["TOKEND_CLIENT_ID"],
                 os.environ["TOKEND_CLIENT_SECRET"]) as client:
    print(json.dumps(dataclasses.asdict(client.introspect(sys.argv[1]))))
