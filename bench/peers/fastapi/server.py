# Seed 000's FastAPI WebSocket server: its /ws endpoint exactly as the seed gives it, run by
# uvicorn (`uvicorn server:app`), for `make bench` to measure Switchboard's /ws/echo against.
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket):
    """
    WebSocket endpoint for real-time communication.
    Clients can connect and send messages, server will echo them back.
    """
    await websocket.accept()
    print("🔌 WebSocket connection established")
    
    try:
        while True:
            # Wait for message from client
            message = await websocket.receive_text()
            print(f"📨 Received message: {message}")
            
            # Echo the message back to the client
            response = f"Echo: {message}"
            await websocket.send_text(response)
            print(f"📤 Sent response: {response}")
            
    except WebSocketDisconnect:
        print("🔌 WebSocket connection closed")
    except Exception as e:
        print(f"❌ WebSocket error: {str(e)}")
        await websocket.close()
