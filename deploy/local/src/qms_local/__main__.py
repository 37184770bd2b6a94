"""`make run`: start the whole system locally and keep it running until Ctrl-C."""

import json
import os
import signal
import time
from importlib import resources
from pathlib import Path

from qms_local.demo import (
    seed_audit_demo,
    seed_procedures_demo,
    seed_review_demo,
    seed_risk_demo,
)
from qms_local.stack import GATEWAY_PORT, SERVICES, Stack, stop_embedded_database


def main() -> None:
    stack = Stack(
        state_dir=Path(os.environ.get("QMS_STATE_DIR", ".qms")).resolve(),
        database_url=os.environ.get("QMS_DATABASE_URL", ""),
        kafka_bootstrap=os.environ.get("QMS_KAFKA_BOOTSTRAP", ""),
        gateway_port=int(os.environ.get("QMS_GATEWAY_PORT", GATEWAY_PORT)),
        ports={
            name: int(os.environ.get(f"QMS_{name.upper()}_PORT", port))
            for name, port in SERVICES.items()
        },
    )
    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        print("Khởi động cơ sở dữ liệu, broker và các dịch vụ…", flush=True)
        print(stack.start(), flush=True)
        print(seed_risk_demo(stack.gateway_url), flush=True)
        print(seed_audit_demo(stack.gateway_url), flush=True)
        print(seed_review_demo(stack.gateway_url), flush=True)
        print(seed_procedures_demo(stack.gateway_url), flush=True)
        _print_welcome(stack)
        while not stopping:
            time.sleep(0.5)
            if stack.broker is not None and not stack.broker.alive():
                print("Broker đã dừng; khởi động lại (nhật ký rỗng)…", flush=True)
                stack.restart_broker_empty()
            for process in stack.services.values():
                if process.process is not None and process.process.poll() is not None:
                    print(f"Dịch vụ {process.name} đã dừng; khởi động lại…", flush=True)
                    process.start()
    finally:
        print("Đang dừng…", flush=True)
        stack.stop()
        if stack.embedded_data is not None:
            stop_embedded_database(stack.embedded_data)
        print("Đã dừng.", flush=True)


def _print_welcome(stack: Stack) -> None:
    url = stack.gateway_url
    demo = json.loads(resources.files("qms_local").joinpath("demo_units.json").read_text("utf-8"))
    users = "\n".join(
        f"    {user['sub']:<16} {', '.join(user['roles']):<18} {user['name']}"
        for unit in demo
        for user in unit.get("users", [])
    )
    print(
        f"""
e-ISO đang chạy.
  Cổng thông tin:        {url}/   (đăng nhập: {url}/dang-nhap, ví dụ thư ký ISO "thuky")
  API công khai:         {url}/api/v1/public/units
  Tài liệu OpenAPI:      {url}/schema
  Cơ sở dữ liệu:         {stack.database_url}
  Kafka:                 {stack.kafka_bootstrap}

Người dùng mẫu:
{users}
Lấy token cho một người dùng mẫu:
  curl -s -X POST {url}/auth/dev-token -H 'content-type: application/json' -d '{{"sub":"thuky"}}'

Nhấn Ctrl-C để dừng.""",
        flush=True,
    )


if __name__ == "__main__":
    main()
