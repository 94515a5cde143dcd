"""What every part needs: settings, the clock, the database and its migrations, the services object."""
