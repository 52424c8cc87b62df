"""SNORQ's side of licences, outside the app: make a key pair, issue a licence.

    python scripts/licence.py keygen --private-key ~/snorq-licence.pem \
        --public-key snorq_desktop/resources/licence/snorq_public_key.txt
    python scripts/licence.py issue --private-key ~/snorq-licence.pem \
        --organization-id c123... --slug mayas-shop --plan PRO --days 365 > mayas-shop.licence

The private key is written with mode 0600 and must live outside the repository
(this script refuses to write it inside it); the public key goes into the app
at build time.  The shop finds its organisation id and address in
Team ▸ Plan… and sends them with its order.  ``issue --demo`` signs with the
demo's key instead, for trying Team ▸ Plan… in ``snorq-desktop --demo`` (the
demo shop: --organization-id from its Plan page, --slug mayas-handmade).
"""

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from snorq_desktop.domain.enums import PlanType
from snorq_desktop.secrets.licence import demo_private_key, issue_licence, public_key_text

REPOSITORY = Path(__file__).resolve().parent.parent


def _keygen(arguments: argparse.Namespace) -> int:
    private_path = Path(arguments.private_key).expanduser().resolve()
    if private_path.is_relative_to(REPOSITORY):
        print("licence.py: keep the private key outside the repository.", file=sys.stderr)
        return 1
    if private_path.exists():
        print(f"licence.py: {private_path} exists; not overwritten.", file=sys.stderr)
        return 1
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    Path(arguments.public_key).write_text(public_key_text(key.public_key()) + "\n")
    print(f"private key: {private_path} (keep it safe); public key: {arguments.public_key}")
    return 0


def _issue(arguments: argparse.Namespace) -> int:
    if arguments.demo:
        # For trying Team ▸ Plan… in `snorq-desktop --demo`, which alone trusts it.
        key: object = demo_private_key()
    else:
        if not arguments.private_key:
            print("licence.py: give --private-key (or --demo).", file=sys.stderr)
            return 1
        key = load_pem_private_key(Path(arguments.private_key).expanduser().read_bytes(), None)
    if not isinstance(key, Ed25519PrivateKey):
        print("licence.py: that is not an Ed25519 private key.", file=sys.stderr)
        return 1
    expires = (
        datetime.fromisoformat(arguments.expires).replace(tzinfo=UTC) if arguments.expires else None
    )
    print(
        issue_licence(
            key,
            organization_id=arguments.organization_id,
            organization_slug=arguments.slug,
            plan=PlanType(arguments.plan),
            days=arguments.days,
            expires_at=expires,
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    keygen = commands.add_parser("keygen", help="make a key pair")
    keygen.add_argument("--private-key", required=True, help="where to write it (0600)")
    keygen.add_argument("--public-key", required=True, help="the app's public key file")
    issue = commands.add_parser("issue", help="print a signed licence")
    issue.add_argument("--private-key", help="SNORQ's private key (PEM)")
    issue.add_argument(
        "--demo", action="store_true", help="sign with the demo's key (for --demo only)"
    )
    issue.add_argument("--organization-id", required=True)
    issue.add_argument("--slug", required=True, help="the organisation's address")
    issue.add_argument("--plan", required=True, choices=["PRO", "BUSINESS"])
    issue.add_argument("--days", type=int, default=365, help="how long it lasts")
    issue.add_argument("--expires", help="an end date instead (YYYY-MM-DD)")
    arguments = parser.parse_args(argv)
    return _keygen(arguments) if arguments.command == "keygen" else _issue(arguments)


if __name__ == "__main__":
    sys.exit(main())
