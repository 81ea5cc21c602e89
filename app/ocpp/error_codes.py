"""OCPP-J CallError codes, spelled as each version's specification spells them.

The `ocpp` package gets several of these wrong (NotImplemented/NotSupported swapped, 1.6's
"FormationViolation" and "OccurenceConstraintViolation" spellings not used, no RpcFrameworkError
or MessageTypeNotSupported for 2.x), so the RPC layer picks codes here by *kind* and version.
"""

from __future__ import annotations

FORMAT = "format"  # payload syntactically wrong, or not the PDU's structure
RPC = "rpc"  # not a valid RPC frame (e.g. the message id cannot be read)
MESSAGE_TYPE = "message_type"  # unknown MessageTypeId
NOT_IMPLEMENTED = "not_implemented"  # action not known by the receiver
NOT_SUPPORTED = "not_supported"  # action known, but not supported by the receiver
OCCURRENCE = "occurrence"
TYPE = "type"
PROPERTY = "property"
PROTOCOL = "protocol"
INTERNAL = "internal"
GENERIC = "generic"
SECURITY = "security"

_COMMON = {
    NOT_IMPLEMENTED: "NotImplemented",
    NOT_SUPPORTED: "NotSupported",
    TYPE: "TypeConstraintViolation",
    PROPERTY: "PropertyConstraintViolation",
    PROTOCOL: "ProtocolError",
    INTERNAL: "InternalError",
    GENERIC: "GenericError",
    SECURITY: "SecurityError",
}

_V16 = _COMMON | {
    FORMAT: "FormationViolation",  # sic: OCPP-J 1.6 §4.2.3, kept by the 1.6 errata
    # 1.6 has no RpcFrameworkError/MessageTypeNotSupported; a frame that is not the RPC's
    # structure is "not conform the PDU structure", i.e. FormationViolation.
    RPC: "FormationViolation",
    MESSAGE_TYPE: "FormationViolation",
    OCCURRENCE: "OccurenceConstraintViolation",  # sic: 1.6 spelling
}

_V2X = _COMMON | {
    FORMAT: "FormatViolation",
    RPC: "RpcFrameworkError",
    MESSAGE_TYPE: "MessageTypeNotSupported",
    OCCURRENCE: "OccurrenceConstraintViolation",
}

_DESCRIPTIONS = {
    "NotImplemented": "Requested Action is not known by receiver",
    "NotSupported": "Requested Action is recognized but not supported by the receiver",
    "InternalError": "An internal error occurred and the receiver was not able to process the requested Action successfully",
    "ProtocolError": "Payload for Action is incomplete",
    "SecurityError": "During the processing of Action a security issue occurred",
    "FormationViolation": "Payload for Action is syntactically incorrect or not conform the PDU structure for Action",
    "FormatViolation": "Payload for Action is syntactically incorrect",
    "PropertyConstraintViolation": "Payload is syntactically correct but at least one field contains an invalid value",
    "OccurenceConstraintViolation": "Payload for Action is syntactically correct but at least one of the fields violates occurence constraints",
    "OccurrenceConstraintViolation": "Payload for Action is syntactically correct but at least one of the fields violates occurrence constraints",
    "TypeConstraintViolation": "Payload for Action is syntactically correct but at least one of the fields violates data type constraints",
    "GenericError": "Any other error not covered by the previous ones",
    "RpcFrameworkError": "Content of the call is not a valid RPC Request",
    "MessageTypeNotSupported": "A message with a Message Type Number received that is not supported by this implementation",
}


def code(version: str, kind: str) -> str:
    return (_V16 if version == "1.6" else _V2X)[kind]


def description(error_code: str) -> str:
    return _DESCRIPTIONS.get(error_code, "")
