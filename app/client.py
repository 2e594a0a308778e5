"""The poetry client's public names, where other programs import them from.

``from app.client import get_poetry, Poem, describe_failure`` is the
documented way in (the README's example). The client itself lives in
:mod:`app.net.client`, the poem it delivers in :mod:`app.net.poem`, and the
ways it fails in :mod:`app.net.failures`.
"""

from app.net.client import PoetryClientFactory as PoetryClientFactory
from app.net.client import PoetryProtocol as PoetryProtocol
from app.net.client import get_poetry as get_poetry
from app.net.failures import ConnectionLostError as ConnectionLostError
from app.net.failures import DeadlineError as DeadlineError
from app.net.failures import EmptyPoemError as EmptyPoemError
from app.net.failures import IdleTimeoutError as IdleTimeoutError
from app.net.failures import PoemTooLargeError as PoemTooLargeError
from app.net.failures import PoetryError as PoetryError
from app.net.failures import describe_failure as describe_failure
from app.net.poem import Poem as Poem
