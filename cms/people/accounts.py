"""Accounts: a person's email (unique, validated), display name and role, and whether they may
log in. Created and changed through the journal, each change announced on the event log by the
person's id and role, never their email."""

from datetime import datetime
from typing import Annotated, Any, ClassVar

from beanie import Document, Indexed, PydanticObjectId
from bson import ObjectId
from email_validator import EmailNotValidError, validate_email
from pydantic import Field, TypeAdapter, ValidationError
from pymongo import ASCENDING, IndexModel

from cms.access import PERSON_ROLES, Actor, Role
from cms.clock import utcnow
from cms.errors import PersonError
from cms.spine import journal
from cms.spine.events import Event, EventType
from cms.spine.journal import Change, ChangeKind, ChangeRefused, Operation, new_op_id
from cms.text.plaintext import RequiredPlainLine

COLLECTION = "people"
MAX_NAME = 100
PERSON_PREFIX = "person:"


class Person(Document):
    email: str  # as they wrote it, normalised (the domain in lower case)
    # The address compared when they log in, and kept unique: case never makes two people.
    email_key: Annotated[str, Indexed(unique=True)]
    name: str
    role: Role
    disabled: bool = False
    # Unset until they set a password through their one-time link (or `--password-stdin`).
    password_hash: str | None = None
    password_set_at: datetime | None = None
    created_at: datetime
    created_by: str
    updated_at: datetime
    recent_ops: list[str] = Field(default_factory=list)

    class Settings:
        name = COLLECTION
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("role", ASCENDING)])]

    @property
    def actor(self) -> Actor:
        """The person as every write they make records them: id and display name."""
        return Actor(name=self.name, role=self.role, id=actor_id(self.id))

    @property
    def state(self) -> str:
        if self.disabled:
            return "disabled"
        return "active" if self.password_hash else "invited"


def actor_id(person_id: ObjectId | None) -> str:
    return f"{PERSON_PREFIX}{person_id}"


def person_id_of(actor: str) -> PydanticObjectId | None:
    """The account id in an actor id (`person:<id>`), if it is a person's."""
    if not actor.startswith(PERSON_PREFIX):
        return None
    try:
        return PydanticObjectId(actor.removeprefix(PERSON_PREFIX))
    except (ValueError, TypeError):
        return None


def normalise_email(value: str) -> tuple[str, str]:
    """An address as shown, and as compared; PersonError if it is not one. Its domain is not
    looked up: an intranet's mail server may not be known to the machine that runs Newsroom."""
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise PersonError(f"That is not an email address: {error}") from None
    return checked.normalized, checked.normalized.casefold()


def email_key(value: str) -> str | None:
    """The key an address is compared by, or None if it is not an address."""
    try:
        return normalise_email(value)[1]
    except PersonError:
        return None


_NAME = TypeAdapter(Annotated[RequiredPlainLine, Field(max_length=MAX_NAME)])


def check_name(value: str) -> str:
    try:
        return _NAME.validate_python(value)
    except ValidationError as error:
        reason = error.errors()[0]["msg"]
        raise PersonError(f"A display name is one line of plain text: {reason}.") from None


def check_role(role: Role) -> Role:
    if role not in PERSON_ROLES:
        raise PersonError(
            f"A person's role is one of {', '.join(PERSON_ROLES)}; {role} is for tokens only."
        )
    return role


def person_event(
    kind: EventType, *, actor: Actor, person: "Person | dict[str, Any]", op_id: str, **data: Any
) -> Event:
    """What a change to an account announces: who, which account, its role and state."""
    values = person if isinstance(person, dict) else person.model_dump(by_alias=True)
    return Event(
        event_id=f"{op_id}:0",
        type=kind,
        at=utcnow(),
        actor=actor.name,
        actor_id=actor.id,
        subject=str(values["_id"]),
        data={"role": str(values["role"]), "disabled": values["disabled"], **data},
    )


async def create_person(
    *, actor: Actor, email: str, name: str, role: Role, password_hash: str | None = None
) -> Person:
    """A new account; with a password hash (made by `cms.people.passwords`) it may log in at
    once, else once its one-time link is used."""
    shown, key = normalise_email(email)
    now = utcnow()
    person = Person(
        id=PydanticObjectId(),
        email=shown,
        email_key=key,
        name=check_name(name),
        role=check_role(role),
        password_hash=password_hash,
        password_set_at=now if password_hash else None,
        created_at=now,
        created_by=actor.name,
        updated_at=now,
    )
    document = person.model_dump(by_alias=True, exclude={"id", "recent_ops"})
    op_id = new_op_id()
    changes = [
        Change(collection=COLLECTION, target=person.id, kind=ChangeKind.INSERT, document=document)
    ]
    if person.role is Role.ADMIN:
        changes.append(admins_change(+1))
    event = person_event(EventType.PERSON_CREATED, actor=actor, person=person, op_id=op_id)
    try:
        await journal.run(
            Operation(id=op_id, at=now, actor=actor.name, changes=changes, events=[event])
        )
    except ChangeRefused:
        raise PersonError(f"Someone has the address {shown} already.") from None
    return person


async def find_by_email(email: str) -> Person | None:
    key = email_key(email)
    if key is None:
        return None
    return await Person.find_one(Person.email_key == key)


async def get_person(email: str) -> Person:
    """The person with this address; PersonError if nobody has it."""
    found = await find_by_email(email)
    if found is None:
        raise PersonError(f"Nobody has the address {email.strip()!r}.")
    return found


async def list_people() -> list[Person]:
    return await Person.find_all().sort("email_key").to_list()


# Active admins, counted in one document so that the last one is never disabled or demoted,
# even by two changes at once: the change that would take the count to zero is refused by the
# store (the journal's expectation on its first change), not by a count read beforehand.
ADMINS = "people_counts"
ADMINS_ID = "admins"


def admins_change(by: int) -> Change:
    if by < 0:
        return Change(
            collection=ADMINS,
            target=ADMINS_ID,
            kind=ChangeKind.UPDATE,
            expect={"active": {"$gt": -by}},
            inc={"active": by},
        )
    return Change(
        collection=ADMINS, target=ADMINS_ID, kind=ChangeKind.UPDATE, upsert=True, inc={"active": by}
    )
