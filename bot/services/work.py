"""What the use cases ask of a unit of work, as Protocols: each service module names the
small one it needs (built on ``moment.Moment``); ``Work`` is all of them, and storage's
``UnitOfWork`` satisfies it (mypy checks that where the dispatcher hands one to the
handlers). Service modules import ``Moment`` from ``moment.py``, never this module: it
imports theirs."""

from __future__ import annotations

from typing import Protocol

from bot.services.accounts import AccountStore, SeenWork
from bot.services.announce import AnnounceStore, AnnounceWork, LinkedCadres, RateStore
from bot.services.away import AwayWork
from bot.services.binding import AccountNames, BindingPeople, BindingWork
from bot.services.cards import CardsWork
from bot.services.casework import CaseRequests, CaseWork
from bot.services.confidential import ComplaintRequests, ComplaintWork
from bot.services.deadlines import DeadlinesWork
from bot.services.field import FieldStore, FieldWork
from bot.services.filing import FilingJoins, FilingRequests, FilingWork
from bot.services.identity import IdentityStore
from bot.services.identity import IdentityWork as IdentityWork
from bot.services.inbox import CaseFiles, InboxWork
from bot.services.leavers import LeaverWork
from bot.services.moment import Moment as Moment
from bot.services.notices import Directory, NoticeWork
from bot.services.pickers import PickWork
from bot.services.receipts import ReceiptRequests, ReceiptWork
from bot.services.relays import RelayDirectory
from bot.services.roster_upload import UploadWork
from bot.services.rota import RotaWork
from bot.services.rounds import RoundWork
from bot.services.stats import StatsWork
from bot.services.status import OutboxFigures, StatusWork
from bot.services.stays import StayWork
from bot.services.supervision import SupervisedRequests, SupervisionWork
from bot.services.threads import MessageIndex, SplitRequests, SplitWork
from bot.services.villager import MyHouseholds, VillagerWork


class People(IdentityStore, BindingPeople, MyHouseholds, LinkedCadres, Protocol):
    """Everything the use cases ask of the people repository."""


class Accounts(AccountStore, AccountNames, Protocol):
    """Everything the use cases ask of the accounts repository."""


class Requests(
    CaseRequests,
    CaseFiles,
    FilingRequests,
    ReceiptRequests,
    ComplaintRequests,
    SupervisedRequests,
    SplitRequests,
    Protocol,
):
    """Everything the use cases ask of the request store."""


class Directories(Directory, RelayDirectory, Protocol):
    """Everything the use cases ask of the directory."""


class NoticeStores(AnnounceStore, RateStore, Protocol):
    """Everything the use cases ask of the notices store (announcements, 绑定率)."""


class Outboxes(OutboxFigures, MessageIndex, Protocol):
    """Everything the use cases ask of the outbox (its figures; what a message was about)."""


class Work(
    PickWork,  # before CaseWork, which it extends
    RoundWork,  # before CaseWork, which it extends
    FilingWork,  # before NoticeWork and Moment, which it extends
    SplitWork,
    ReceiptWork,
    ComplaintWork,
    VillagerWork,
    SeenWork,
    BindingWork,
    StatusWork,
    CaseWork,  # before NoticeWork: a use case that tells is a NoticeWork too
    SupervisionWork,
    DeadlinesWork,
    LeaverWork,
    NoticeWork,
    FieldWork,
    StatsWork,
    StayWork,
    InboxWork,
    AwayWork,
    RotaWork,
    AnnounceWork,
    UploadWork,
    CardsWork,
    Protocol,
):
    """Every repository a use case may ask for (add your module's Protocol to the bases;
    a repository that two of them name is declared here as what all of them ask of it)."""

    @property
    def people(self) -> People: ...
    @property
    def accounts(self) -> Accounts: ...
    @property
    def requests(self) -> Requests: ...
    @property
    def directory(self) -> Directories: ...
    @property
    def joins(self) -> FilingJoins: ...
    @property
    def schedule(self) -> FieldStore: ...
    @property
    def outbox(self) -> Outboxes: ...
    @property
    def notices(self) -> NoticeStores: ...
