#!/usr/bin/env python3
"""Imports a self-signed certificate for DOMAIN into the emulator's ACM, so
that a stack configured with `certificate_domain` finds an issued
certificate at plan time, as it would in an account where one was issued.

Usage: certificate.py ENDPOINT DOMAIN   (prints the certificate's ARN)
"""
import datetime
import sys

import boto3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    endpoint, domain = sys.argv[1:]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    acm = boto3.client("acm", endpoint_url=endpoint, region_name="us-east-1")
    arn = acm.import_certificate(
        Certificate=certificate.public_bytes(serialization.Encoding.PEM),
        PrivateKey=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )["CertificateArn"]
    print(arn)


if __name__ == "__main__":
    main()
