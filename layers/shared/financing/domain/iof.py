"""IOF on credit (Imposto sobre Operações Financeiras): the tax on a discount contract, in minor units.

A receivable discounted for a legal entity (the supplier, a company) is a credit operation for IOF:
Decreto 6.306/2007 (the IOF regulation, RIOF), art. 7, II, taxes a discount ("operação de desconto,
inclusive ... de direitos creditórios") on the net amount obtained, at a daily rate for a legal-entity
borrower (item "a"), never over more than 365 days (art. 7, § 1), plus the additional rate of art. 7,
§ 15, once, whatever the term. The statutory values for legal entities, as amended by Decreto
12.499/2025 (in force since 2025-06-11; it replaced Decretos 12.466 and 12.467/2025 and raised the
legal-entity daily rate from 0.0041%), are 0.0082% a day and 0.38% additional. They are the default
tenant settings; a lender sets other rates where the law gives another (Simples Nacional borrowers up to
R$ 30,000: 0.00274% a day) or when the law changes.

    IOF = round_half_up(net amount x (daily rate x min(term days, 365) + additional rate))

The net amount obtained is the advance (`first_payment`: the discount is charged on top of it, in the
claim). The lender withholds the IOF when it releases the credit, as is usual for a discount, so the
customer receives advance - IOF and repays advance + discount: the CET (domain.effective_cost) counts it.
Rates are integers where 100000000 = 100% (0.0082% = 8200, 0.38% = 380000).
"""

from dataclasses import dataclass
from decimal import Decimal

from financing.domain.money import round_half_up

RATE_SCALE = 100_000_000  # 100000000 = 100%
MAX_DAYS = 365  # the daily rate is charged for at most a year (art. 7, § 1)
STATUTORY_DAILY_RATE = 8_200  # 0.0082% a day, a legal-entity borrower (art. 7, II, a)
STATUTORY_ADDITIONAL_RATE = 380_000  # 0.38%, once (art. 7, § 15)
# The highest IOF rate the law allows on credit: 1.5% a day (Lei 8.894/1994, art. 1, I).
MAX_RATE = 1_500_000
CURRENCY = "brl"  # a Brazilian tax: only a financing in reais pays it


@dataclass(frozen=True)
class IofRates:
    daily: int = STATUTORY_DAILY_RATE
    additional: int = STATUTORY_ADDITIONAL_RATE

    def share(self, days: int) -> Decimal:
        """The fraction of the net amount the IOF takes over a term of `days`."""
        return (Decimal(self.daily) * min(max(days, 0), MAX_DAYS) + Decimal(self.additional)) / RATE_SCALE


def iof_on_credit(net_amount: int, days: int, rates: IofRates) -> int:
    """The IOF in minor units on `net_amount` obtained for `days`, rounded half-up."""
    return round_half_up(Decimal(net_amount) * rates.share(days))


NONE = IofRates(daily=0, additional=0)


def applies_to(currency: str) -> bool:
    return currency.lower() == CURRENCY
