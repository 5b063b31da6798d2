"""Price suggestions: own-price elasticity per listing and the profit-maximising price inside its guard rails."""
