"""Live updates: GraphQL subscriptions over WebSocket, fed by the process's one event feed."""
