"""The API's face of the one caller rule (`cms.access.authorize`): a token stands for the caller,
and the rule's refusals become UNAUTHENTICATED and FORBIDDEN errors."""

from api.coded_errors import Forbidden, Unauthenticated
from api.context import Info
from cms.access import Actor, NotAllowedError, Permission, authorize
from cms.visibility import Audience


async def require(info: Info, permission: Permission) -> Actor:
    """The caller, if allowed; UNAUTHENTICATED without a valid token, FORBIDDEN without the role."""
    viewer = info.context.viewer
    if not viewer.has_token:
        raise Unauthenticated("This needs a token: send `Authorization: Bearer <token>`.")
    actor = await viewer.actor()
    if actor is None:
        raise Unauthenticated("The token is not valid: it is unknown, revoked or malformed.")
    try:
        return authorize(actor, permission)
    except NotAllowedError as refused:
        role = actor.role.value if actor.role else "none"
        raise Forbidden(
            f"The token's role ({role}) does not allow this ({permission.value})."
        ) from refused


async def audience_for(info: Info, *, preview: bool) -> Audience:
    """Who a read is for: a preview (any status) needs a token that may preview."""
    if not preview:
        return Audience.PUBLIC
    await require(info, Permission.PREVIEW)
    return Audience.PREVIEW
