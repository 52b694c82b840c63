"""The log scanner finds what it is for, and only that (it guards the integration and e2e suites' logs)."""

import json

import jwt

from tests.log_leaks import leaks


def test_each_kind_of_secret_is_found_in_a_log_line():
    token = jwt.encode({"sub": "u1", "tenant_id": "acme"}, "k" * 32, algorithm="HS256")
    line = json.dumps(
        {
            "message": "x",
            "authorization": f"Bearer {token}",
            "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "url": "https://bucket.s3.amazonaws.com/doc?X-Amz-Signature=abc",
            "cnpj": "11.222.333/0001-81",
            "cpf": "52998224725",
        }
    )
    found = leaks(line)
    assert [kind.split()[0] for kind in found] == ["token", "webhook", "presigned", "tax", "tax"]


def test_ids_times_and_amounts_are_not_taken_for_secrets():
    line = json.dumps(
        {
            "timestamp": "2026-12-05 23:58:21,441+0000",
            "function_request_id": "be5f3bbd-8ed9-4efb-aa24-a47b10530603",
            "invoice": "inv_01JD0000000000000000000000",
            "amount": 12345678901,  # 11 digits whose check digits do not make a CPF
            "epoch_ms": 1796514456683,
            "message": "GET /v1/companies 200 12 ms",
        }
    )
    assert leaks(line) == []
